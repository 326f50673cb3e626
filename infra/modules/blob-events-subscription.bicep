// Event Grid subscription: blob created/deleted in any container of the storage account → the `documentsBlobEvents`
// Event Grid trigger (functions/blobs.ts). Creating it validates the destination function, so it can only be
// deployed once the code is on the Function App (see infra/README.md, "Event Grid: the second pass").

@description('Name of the existing Event Grid system topic on the storage account.')
param systemTopicName string

@description('Name of the existing Function App.')
param functionAppName string

@description('Function that receives the events (BLOB_EVENTS_FUNCTION in functions/blobs.ts).')
param functionName string = 'documentsBlobEvents'

@description('Name of the event subscription.')
param name string = 'documents-blob-events'

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2023-12-01' existing = {
  name: functionAppName
}

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: name
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
        'Microsoft.Storage.BlobDeleted'
      ]
      // Every container: each project has its own, created at run time.
      subjectBeginsWith: '/blobServices/default/containers/'
    }
    eventDeliverySchema: 'EventGridSchema'
    // The handler reads the blob as it is now, so redelivered or late events are harmless.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('Name of the event subscription.')
output name string = eventSubscription.name
