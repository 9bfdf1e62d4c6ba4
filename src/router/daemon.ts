#!/usr/bin/env node
/** Entry point of the detached router daemon: `node daemon.js --state-dir DIR --port N [--host H] [--grace MS]`. */
import { runDaemon } from './daemon-main.js';

void runDaemon();
