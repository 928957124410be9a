// `npm run rubric:table`: rewrites the rubric's reference table in
// labs/cow/README.md from the schema the grader checks rubrics with.

import { writeTable } from "../grader/rubric-table";

console.log(writeTable());
