import { PARALLELISM } from '../../src/api/settings';
import { crashMatrix } from './crash-matrix';

// The crash matrix (crash-matrix.ts) at the default parallelism; crash-matrix-serial.test.ts runs it serially.
crashMatrix(PARALLELISM.fallback);
