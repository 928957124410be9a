/*
 * Counts the host kernel's minor page faults in the experiment that
 * examples/scenarios/seed002-linux-faults.json runs on the simulator:
 *
 *   1. map and touch a 50 MiB private anonymous region (12800 pages);
 *   2. fork; the child writes one byte in each of its first K pages and
 *      reports its ru_minflt before and after those writes, then exits;
 *   3. the parent waits, writes every page, and reports its own delta.
 *
 * Usage: cow_faults K. Prints two lines for bench/linuxfaults.ts to parse:
 *   child K BEFORE AFTER
 *   parent PAGES BEFORE AFTER
 * Exits 1 with a message when a system call fails.
 *
 * The region is mmap'd (page-aligned, so it spans exactly 12800 pages, as
 * the scenario's page-aligned malloc does) and excluded from transparent
 * huge pages, so that every fault is a 4 KiB page's, as in the simulator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define REGION_BYTES (50UL << 20)

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* ru_minflt now. Each process writes `usage` itself before its first
 * reading (see main), or the kernel's store of the result into a
 * still-shared page would take a COW fault that the next reading counts. */
static struct rusage usage;
static long minflt(void) {
  if (getrusage(RUSAGE_SELF, &usage) < 0) die("getrusage");
  return usage.ru_minflt;
}

/* One store per page in the first `pages` pages of `region`. */
static void write_pages(volatile char *region, size_t pages, size_t page, char value) {
  for (size_t i = 0; i < pages; i++) region[i * page] = value;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: cow_faults K (pages the child writes)\n");
    return 2;
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t pages = REGION_BYTES / page;
  size_t k = strtoul(argv[1], NULL, 10);
  if (k > pages) {
    fprintf(stderr, "cow_faults: K=%zu is more than the region's %zu pages\n", k, pages);
    return 2;
  }
  char *region = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) die("mmap");
#ifdef MADV_NOHUGEPAGE
  madvise(region, REGION_BYTES, MADV_NOHUGEPAGE); /* best effort: THP may be off anyway */
#endif
  memset(region, 'X', REGION_BYTES);
  fflush(stdout); /* or the child would inherit, and print again, unflushed output */

  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    memset(&usage, 0, sizeof usage);
    long before = minflt();
    write_pages(region, k, page, 'Y');
    long after = minflt();
    printf("child %zu %ld %ld\n", k, before, after);
    fflush(stdout);
    _exit(0);
  }
  int status;
  if (waitpid(child, &status, 0) < 0) die("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "cow_faults: the child failed (status 0x%x)\n", status);
    return 1;
  }
  memset(&usage, 0, sizeof usage);
  long before = minflt();
  write_pages(region, pages, page, 'Z');
  long after = minflt();
  printf("parent %zu %ld %ld\n", pages, before, after);
  return 0;
}
