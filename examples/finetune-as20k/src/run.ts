#!/usr/bin/env node
import { runProgram } from '@example/recipe-kit';
import { runAs20k, USAGE } from './program.js';

runProgram('finetune-as20k', USAGE, runAs20k);
