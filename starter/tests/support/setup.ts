// Runs before every test file: adds the lab's matchers to expect().
import { cowMatchers } from "./matchers";

expect.extend(cowMatchers);
