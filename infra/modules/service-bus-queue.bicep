// The Service Bus queue that carries long-running jobs, in a namespace made by avm/res/service-bus/namespace.
// Plain resource: the AVM queue child module has required names of at least 6 characters in some versions, and the
// queue is called `jobs` (JOB_QUEUE_NAME's default).

@description('Name of the existing Service Bus namespace.')
param namespaceName string

@description('Queue name, as JOB_QUEUE_NAME spells it.')
param name string

@description('Deliveries before a message is dead-lettered (functions/jobs.ts throws to get a redelivery).')
param maxDeliveryCount int = 5

@description('Peek-lock duration; PT5M is the Service Bus maximum.')
param lockDuration string = 'PT5M'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: namespaceName
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: name
  properties: {
    maxDeliveryCount: maxDeliveryCount
    lockDuration: lockDuration
    deadLetteringOnMessageExpiration: true
    requiresSession: false
    requiresDuplicateDetection: false
  }
}

@description('Name of the queue.')
output name string = queue.name

@description('Fully qualified namespace, <name>.servicebus.windows.net (SERVICEBUS__fullyQualifiedNamespace).')
output namespaceFqdn string = split(split(split(namespace.properties.serviceBusEndpoint, '//')[1], '/')[0], ':')[0]
