// Every e2e case, in run order. A feature adds its case file next to these and one line here.
import type { E2eCase } from '../lib/case.js';
import activation from './activation.js';
import agentEdits from './agentEdits.js';
import apiTests from './apiTests.js';
import chat from './chat.js';
import chatClose from './chatClose.js';
import chatContext from './chatContext.js';
import codeActions from './codeActions.js';
import commitMessage from './commitMessage.js';
import corruptModel from './corruptModel.js';
import engineKill from './engineKill.js';
import ghostControls from './ghostControls.js';
import ghostText from './ghostText.js';
import missingModel from './missingModel.js';
import onboarding from './onboarding.js';
import refactor from './refactor.js';
import refactorLimit from './refactorLimit.js';
import remoteReasoning from './remoteReasoning.js';
import sharedEngine from './sharedEngine.js';
import statusMenu from './statusMenu.js';
import hardwareReport from './hardwareReport.js';

export const cases: E2eCase[] = [activation, missingModel, corruptModel, engineKill, sharedEngine, apiTests, ghostText, ghostControls, statusMenu, hardwareReport, onboarding, chat, chatClose, chatContext, refactor, refactorLimit, remoteReasoning, agentEdits, codeActions, commitMessage];
