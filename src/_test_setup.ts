/**
 * Loaded before every test file (`node --test --import ./dist/_test_setup.js`): the tests run
 * the model with the footprint checker on, so that a step touching an object it did not
 * declare is a finding (src/kernel/footprint.ts), and such a finding fails the test file that
 * made it unless its test expects it (src/kernel/_test_footprints.ts).
 */
import { failOnUndeclaredAccesses } from "./kernel/_test_footprints.js";
import { setDefaultFootprintMode } from "./kernel/mod.js";

setDefaultFootprintMode("check");
failOnUndeclaredAccesses();
