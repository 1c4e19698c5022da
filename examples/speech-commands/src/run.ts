#!/usr/bin/env node
import { runProgram } from '@example/recipe-kit';
import { runSpeechCommands, USAGE } from './program.js';

runProgram('speech-commands', USAGE, runSpeechCommands);
