import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StepPlan } from '../../core/plan.js';
import { MAX_RECEIVES } from '../../functions/handlers/create-broker-handler.js';
import { brokerTargetName, type BrokerTransport } from '../../functions/runtime/messages/publish-message.js';

/** What the receive steps' brokers were wired with. */
export interface BrokerWiring {
  /** Queue ARN → the target it carries (`sqs:<queue>`, `sns:<topic>`): the receiver's ARAZZO_RECEIVE_QUEUES. */
  readonly queueTargets: Record<string, string>;
  /** The queues read, by target. */
  readonly queues: Record<string, sqs.IQueue>;
  /** The queues this construct created (the receive queues and their dead-letter queues), for cdk-nag. */
  readonly created: sqs.Queue[];
  /** The rules of EventBridge channels, by `<bus>/<source>/<detail-type>`. */
  readonly rules: Record<string, events.Rule>;
  /** Where the rules' failed deliveries and the receiver's failed events go, when there is a rule. */
  readonly eventDeadLetters?: sqs.Queue;
}

/** A queue's visibility timeout must outlast the function it feeds, six times over as AWS advises for event source mappings. */
const visibilityFor = (fn: lambda.Function) => Duration.seconds(6 * (fn.timeout?.toSeconds() ?? 25));

/**
 * A queue with SSL enforced, a dead-letter queue, and SQS-managed encryption: SNS may send to it
 * without a key policy (the AWS managed key aws/sqs admits no service principal).
 */
function createQueue(scope: Construct, id: string, receiver: lambda.Function, created: sqs.Queue[], options: { queueName?: string; fifo?: boolean } = {}): sqs.Queue {
  const { queueName } = options;
  // A FIFO queue's dead-letter queue must be FIFO too.
  const fifo = options.fifo || queueName?.endsWith('.fifo') ? { fifo: true } : {};
  const deadLetters = new sqs.Queue(scope, `${id}.DeadLetters`, { ...fifo, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(scope, id, {
    ...(queueName ? { queueName } : {}),
    ...fifo,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: visibilityFor(receiver),
    // A message the receiver handed back this often is poison: it waits in the dead-letter queue, never loops.
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVES },
  });
  created.push(queue, deadLetters);
  return queue;
}

/**
 * Wires each broker channel a receive step listens on to the broker receiver, from the channel's
 * binding: an SQS queue (imported by name, given, or created) through an event source mapping
 * with partial batch responses; an SNS topic through a queue the construct creates and subscribes
 * (raw delivery, so message attributes stay attributes); an EventBridge bus through a rule on the
 * binding's source and detail-type. The receiver's role may read and delete messages of those
 * queues only (ReceiveMessage, DeleteMessage, GetQueueAttributes, as the mapping needs), and
 * EventBridge may invoke it for those rules only.
 */
export function wireBrokerReceivers(
  scope: Construct,
  receiver: lambda.Function,
  steps: readonly StepPlan[],
  given: Readonly<Record<string, sqs.IQueue | 'create'>>,
): BrokerWiring {
  const stack = Stack.of(scope);
  const wiring: BrokerWiring = { queueTargets: {}, queues: {}, created: [], rules: {} };
  const transports = new Map<string, BrokerTransport>();
  for (const step of steps) {
    const transport = step.channel?.transport;
    if (!transport || transport.kind === 'http') continue;
    const key = transport.kind === 'eventbridge' ? `eventbridge:${transport.eventBusName}/${transport.source}/${transport.detailType}` : brokerTargetName(transport);
    transports.set(key, transport);
  }
  for (const [key, transport] of transports) {
    const id = `Receive.${key.replace(/[^A-Za-z0-9]/g, '-')}`;
    if (transport.kind === 'eventbridge') {
      const bus = events.EventBus.fromEventBusName(scope, `${id}.Bus`, transport.eventBusName);
      let deadLetters = wiring.eventDeadLetters;
      if (!deadLetters) {
        deadLetters = new sqs.Queue(scope, 'ReceiveEventDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
        (wiring as { eventDeadLetters?: sqs.Queue }).eventDeadLetters = deadLetters;
        wiring.created.push(deadLetters);
      }
      const rule = new events.Rule(scope, id, {
        eventBus: bus,
        description: `arazzo-sfn: ${transport.detailType} events from ${transport.source}, for receive steps`,
        eventPattern: { source: [transport.source], detailType: [transport.detailType] },
      });
      rule.addTarget(new targets.LambdaFunction(receiver, { retryAttempts: 2, maxEventAge: Duration.hours(24), deadLetterQueue: deadLetters }));
      wiring.rules[key] = rule;
      continue;
    }
    let queue: sqs.IQueue;
    if (transport.kind === 'sns') {
      // A FIFO topic delivers to FIFO queues only.
      queue = createQueue(scope, id, receiver, wiring.created, { fifo: transport.fifo !== undefined });
      const topic = sns.Topic.fromTopicArn(scope, `${id}.Topic`, stack.formatArn({ service: 'sns', resource: transport.topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
      topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
    } else {
      const chosen = given[transport.queueName];
      queue =
        chosen === 'create'
          ? createQueue(scope, id, receiver, wiring.created, { queueName: transport.queueName, fifo: transport.fifo !== undefined })
          : (chosen ?? sqs.Queue.fromQueueArn(scope, id, stack.formatArn({ service: 'sqs', resource: transport.queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME })));
    }
    wiring.queues[key] = queue;
    wiring.queueTargets[queue.queueArn] = key;
    new lambda.EventSourceMapping(scope, `${id}.Mapping`, { target: receiver, eventSourceArn: queue.queueArn, batchSize: 10, reportBatchItemFailures: true });
    receiver.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
    // A queue encrypted with a customer managed key: the mapping reads through it.
    queue.encryptionMasterKey?.grantDecrypt(receiver);
  }
  return wiring;
}
