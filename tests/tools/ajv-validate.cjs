#!/usr/bin/env node
// Validates JSON files against a JSON Schema (draft 2020-12) with Ajv, as JavaScript consumers of the
// schema would: patterns are ECMA-262 regular expressions (Ajv compiles them with the `u` flag) and
// `format` is checked by ajv-formats. Ajv and ajv-formats are pinned in package.json.
//
//   node tests/tools/ajv-validate.cjs SCHEMA FILE...
//
// Prints one line per file ("valid" or the errors as JSON) and exits 1 when the schema does not
// compile or any file is invalid.
"use strict";
const fs = require("node:fs");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error("usage: ajv-validate.cjs SCHEMA FILE...");
  process.exit(2);
}
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
} catch (error) {
  console.log(`${schemaPath}: schema does not compile: ${error.message}`);
  process.exit(1);
}
let failed = false;
for (const file of files) {
  if (validate(JSON.parse(fs.readFileSync(file, "utf8")))) {
    console.log(`${file}: valid`);
  } else {
    failed = true;
    console.log(`${file}: invalid ${JSON.stringify(validate.errors)}`);
  }
}
process.exit(failed ? 1 : 0);
