// ESLint for our own browser scripts (`make lint`); the vendored libraries are not ours to lint.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["src/backcoach/web/static/vendor/**"] },
  js.configs.recommended,
  {
    files: ["src/backcoach/web/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      // Plain <script defer> files sharing window.Backcoach* objects: no bundler, no modules.
      sourceType: "script",
      globals: { ...globals.browser, Chart: "readonly" },
    },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
