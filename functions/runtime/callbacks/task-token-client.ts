/** The three Step Functions calls that resume a `.waitForTaskToken` Task: `@aws-sdk/client-sfn` on AWS, the local runner locally. */
export interface TaskTokenClient {
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}
