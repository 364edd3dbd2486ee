import * as cdk from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as CdkApp from '../lib/cdk-app-stack';

test('the welcome reward workflow: a state machine and one Lambda function per operation', () => {
  // GIVEN
  const app = new cdk.App();
  // WHEN
  const stack = new CdkApp.CdkAppStack(app, 'MyTestStack');
  // THEN
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  for (const operation of ['loyalty.getMember', 'loyalty.grantReward']) {
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(`operation ${operation}$`) }, 1);
  }
  template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  template.hasOutput('*', { Value: { Ref: Match.stringLikeRegexp('^WelcomeRewardStateMachine') } });
});
