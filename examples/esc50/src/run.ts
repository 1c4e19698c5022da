#!/usr/bin/env node
import { runProgram } from '@example/recipe-kit';
import { runEsc50, USAGE } from './program.js';

runProgram('esc50', USAGE, runEsc50);
