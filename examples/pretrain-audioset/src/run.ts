#!/usr/bin/env node
import { runProgram } from '@example/recipe-kit';
import { runPretrainAudioSet, USAGE } from './program.js';

runProgram('pretrain-audioset', USAGE, runPretrainAudioSet);
