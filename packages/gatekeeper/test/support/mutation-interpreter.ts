// The interpreter lives in the package (check --target gatekeeper runs it too); tests import it from here.
export * from '../../src/runtime/mutation-interpreter.js';
