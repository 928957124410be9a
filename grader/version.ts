// The grader's version: in every result, and in the compiled kit's cache key.
// Raise it whenever a change could change a score.

export const GRADER_VERSION = "1.1.0";
