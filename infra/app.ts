/**
 * The CDK app, run by cdk.json with tsx: Crier's stacks for the stage the context names
 * (`-c stage=... -c config=... -c alarmEmail=...`; see docs/deploying.md).
 */
import { createCrierApp } from './stacks/crier';

createCrierApp().app.synth();
