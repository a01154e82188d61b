/**
 * Loaded before every test file (`node --test --import ./dist/_test_setup.js`): the tests run
 * the model with the footprint checker on, so that a step touching an object it did not
 * declare is a finding the tests see (src/kernel/footprint.ts).
 */
import { setDefaultFootprintMode } from "./kernel/mod.js";

setDefaultFootprintMode("check");
