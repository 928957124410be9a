import { parseAddress, showAddress } from "./address";

test.each([
  [4096, 4096],
  ["4096", 4096],
  ["0x10", 0x10],
  ["0xFFFFFFFF", 0xffffffff],
  [0, 0],
])("the address %j is the number %d", (written, va) => {
  expect(parseAddress(written)).toBe(va);
});

test.each([
  ["bss", { label: "bss", offset: 0, text: "bss" }],
  ["bss+0x10", { label: "bss", offset: 16, text: "bss+0x10" }],
  ["heap+12", { label: "heap", offset: 12, text: "heap+12" }],
  ["my_buf.2+4096", { label: "my_buf.2", offset: 4096, text: "my_buf.2+4096" }],
])("the address %j is a label and an offset", (written, address) => {
  expect(parseAddress(written)).toEqual(address);
});

test.each([
  [-1, "-1 is not an address (a whole number from 0 to 0xffffffff)"],
  [1.5, "1.5 is not an address (a whole number from 0 to 0xffffffff)"],
  [2 ** 32, "4294967296 is not an address (a whole number from 0 to 0xffffffff)"],
  ["0x100000000", '"0x100000000" is beyond the 32-bit address space'],
  ["bss+-4", '"bss+-4" is not an address (a number, "LABEL" or "LABEL+OFFSET")'],
  ["4k", '"4k" is not an address (a number, "LABEL" or "LABEL+OFFSET")'],
  ["bss+", '"bss+" is not an address (a number, "LABEL" or "LABEL+OFFSET")'],
  ["bss+0x100000000", '"bss+0x100000000" has an offset beyond the 32-bit address space'],
  [true, 'must be a number or a string "LABEL" or "LABEL+OFFSET"'],
  [null, 'must be a number or a string "LABEL" or "LABEL+OFFSET"'],
])("%j is refused with a sentence saying why", (written, message) => {
  expect(parseAddress(written)).toBe(message);
});

test("an address is shown as it was written, a number in hex", () => {
  expect(showAddress(0x15000)).toBe("0x15000");
  expect(showAddress({ label: "heap", offset: 12, text: "heap+12" })).toBe("heap+12");
});
