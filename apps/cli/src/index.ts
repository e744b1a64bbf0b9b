export { buildProgram } from './main.js';
