export { buildSummary, rollbackCommand, type SummaryInput } from './build.js';
export { renderHuman } from './render-human.js';
export { renderJson } from './render-json.js';
export { renderText } from './render-text.js';
export { colorFor } from './color.js';
