import { crashMatrix } from './crash-matrix';

// The crash matrix (crash-matrix.ts) serially; crash-matrix-default.test.ts runs it at the default parallelism.
crashMatrix(1);
