// The CDK app `edgecheck twin cloudfront` wrote: this code is the same for
// every distribution; what to deploy is twin.json, read from the folder the
// cdk CLI runs the app in (the one holding cdk.json).
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { StagingTwinStack } from '../lib/stagingTwinStack.js';
import type { TwinData } from '../lib/twinData.js';

const data = JSON.parse(readFileSync('twin.json', 'utf8')) as TwinData;
const app = new App();
new StagingTwinStack(app, data.stackName, data);
app.synth();
