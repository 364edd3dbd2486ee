import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ArazzoWorkflow } from 'arazzo-sfn';

export class CdkAppStack extends cdk.Stack {
  readonly welcomeReward: ArazzoWorkflow;

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    // The workflow "welcomeReward" of an Arazzo document: a Step Functions state machine and one
    // Lambda function per operation it calls (GET a member, POST a reward).
    this.welcomeReward = ArazzoWorkflow.fromFile(this, 'WelcomeReward', path.join(__dirname, '..', 'workflows', 'welcome-reward.arazzo.yml'), {
      workflowId: 'welcomeReward',
      // Instead of the OpenAPI description's servers[0].url.
      serverUrls: { loyalty: 'https://sandbox.loyalty.example.com/v1' },
      timeout: cdk.Duration.minutes(10),
    });

    // Who may start it: here, a role the sign-up service assumes.
    const signUp = new iam.Role(this, 'SignUpService', { assumedBy: new iam.AccountRootPrincipal() });
    this.welcomeReward.grantStartExecution(signUp);
  }
}
