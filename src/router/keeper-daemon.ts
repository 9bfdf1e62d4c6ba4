#!/usr/bin/env node
/** Entry point of the keeper (src/router/keeper.ts): `node keeper-daemon.js --state-dir DIR --port N --host H --runtime PATH`. */
import { keeperMain } from './keeper.js';

void keeperMain();
