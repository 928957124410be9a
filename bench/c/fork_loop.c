/*
 * The seed 002 benchmark loop on the host kernel, for comparison with the
 * simulator's seed002-fork-loop-50mib scenario: touch a 50 MiB heap buffer,
 * then 20 times fork a child that writes every byte of it (one COW copy per
 * page) and exits, while the parent waits.
 *
 * Usage: fork_loop [MIB [ROUNDS]]  (defaults 50 and 20). Prints nothing on
 * success; exits 1 with a message when a system call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(1);
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 50;
  int rounds = argc > 2 ? atoi(argv[2]) : 20;
  size_t bytes = mib << 20;
  /* volatile: the compiler may not drop stores nobody reads back */
  char *volatile region = malloc(bytes);
  if (region == NULL) die("malloc");
  memset(region, 'A', bytes);

  for (int round = 0; round < rounds; round++) {
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
      memset(region, 'B', bytes);
      _exit(region[bytes - 1] == 'B' ? 0 : 2);
    }
    int status;
    if (waitpid(child, &status, 0) < 0) die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "fork_loop: round %d: the child failed (status 0x%x)\n", round, status);
      return 1;
    }
  }
  if (region[0] != 'A') {
    fprintf(stderr, "fork_loop: the parent's buffer changed under it\n");
    return 1;
  }
  free(region);
  return 0;
}
