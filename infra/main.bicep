// The whole custom-ner environment, keyless: Function App (Flex Consumption) + Storage + Cosmos DB + Service Bus +
// Event Grid + monitoring, reached only through one user-assigned managed identity. Azure Developer CLI layout.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used for the resource group name and the resource token.')
param environmentName string

@minLength(1)
@description('Region for every resource. Must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of a developer to grant the same data roles as the app (azd sets AZURE_PRINCIPAL_ID). Empty: none.')
param principalId string = ''

@description('Kind of principal principalId is.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@secure()
@minLength(16)
@description('API_KEYS: comma-separated keys accepted in the Ocp-Apim-Subscription-Key header.')
param apiKeys string

@description('COSMOS_DATABASE: the database (with its container `items`, partition key /pk).')
param cosmosDatabaseName string = 'customner'

@description('JOB_QUEUE_NAME: the Service Bus queue for long-running jobs.')
param jobQueueName string = 'jobs'

@description('DURABLE_TASK_HUB: Durable Functions task hub (3-45 letters and digits, starting with a letter).')
param durableTaskHub string = 'customner'

@description('Create the Event Grid subscription to documentsBlobEvents. Needs the code deployed first: false on the first `azd up`, true afterwards.')
param deployBlobEventSubscription bool = false

@description('azd service name of the Function App (the service in azure.yaml).')
param apiServiceName string = 'api'

@description('Flex Consumption instance memory.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var functionAppName = '${abbrs.webSitesFunctions}${apiServiceName}-${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var serviceBusNamespaceName = '${abbrs.serviceBusNamespaces}${resourceToken}'
var systemTopicName = '${abbrs.eventGridSystemTopics}storage-${resourceToken}'
// Flex Consumption pulls the package from this container; the app creates the per-project containers itself.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

var storageBlobEndpoint = 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
var storageQueueEndpoint = 'https://${storageAccountName}.queue.${environment().suffixes.storage}'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------------------------

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${apiServiceName}-${resourceToken}'
    location: location
    tags: tags
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------------------

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    minimumTlsVersion: 'TLS1_2'
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
        }
      ]
    }
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containerName: 'items'
  }
}

module serviceBus 'br/public:avm/res/service-bus/namespace:0.15.0' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: serviceBusNamespaceName
    location: location
    tags: tags
    skuObject: {
      name: 'Standard'
    }
    // Zone redundancy is a Premium feature; the module defaults it to true.
    zoneRedundant: false
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    minimumTlsVersion: '1.2'
  }
}

module jobQueue 'modules/service-bus-queue.bicep' = {
  name: 'servicebus-queue'
  scope: rg
  params: {
    namespaceName: serviceBus.outputs.name
    name: jobQueueName
    maxDeliveryCount: 5
    lockDuration: 'PT5M'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------------------------

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'loganalytics'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module monitoring 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'appinsights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    // Telemetry only with an Entra token (Monitoring Metrics Publisher), never with the instrumentation key alone.
    disableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------------------------

module appServicePlan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'appserviceplan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: union(tags, { 'azd-service-name': apiServiceName })
    appServicePlanId: appServicePlan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    apiKeys: apiKeys
    // Exactly the names lib/config.ts (EnvSchema) and the trigger connections in functions/ read.
    appSettings: {
      // Blob store (and the storage-queue fallback): identity-based, `STORAGE` connection prefix.
      STORAGE__blobServiceUri: storageBlobEndpoint
      STORAGE__queueServiceUri: storageQueueEndpoint
      STORAGE__credential: 'managedidentity'
      STORAGE__clientId: identity.outputs.clientId
      // Documents: endpoint only, no key, so CosmosClient uses the identity.
      COSMOS__accountEndpoint: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmos.outputs.databaseName
      // Jobs: the `SERVICEBUS` connection of the queue trigger; config.ts also hands the namespace to ServiceBusClient.
      SERVICEBUS__fullyQualifiedNamespace: jobQueue.outputs.namespaceFqdn
      SERVICEBUS__credential: 'managedidentity'
      SERVICEBUS__clientId: identity.outputs.clientId
      JOB_QUEUE_NAME: jobQueue.outputs.name
      DURABLE_TASK_HUB: durableTaskHub
      // DefaultAzureCredential picks the user-assigned identity with this.
      AZURE_CLIENT_ID: identity.outputs.clientId
    }
  }
  dependsOn: [
    appRoles
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments
// ---------------------------------------------------------------------------------------------------------------

module appRoles 'modules/role-assignments.bicep' = {
  name: 'roles-app'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    cosmosAccountName: cosmos.outputs.name
    applicationInsightsName: monitoring.outputs.name
  }
}

module developerRoles 'modules/role-assignments.bicep' = if (!empty(principalId)) {
  name: 'roles-developer'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    cosmosAccountName: cosmos.outputs.name
    applicationInsightsName: monitoring.outputs.name
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Blob events
// ---------------------------------------------------------------------------------------------------------------

module blobEventsTopic 'br/public:avm/res/event-grid/system-topic:0.6.1' = {
  name: 'eventgrid-topic'
  scope: rg
  params: {
    name: systemTopicName
    location: location
    tags: tags
    source: storage.outputs.resourceId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

module blobEventsSubscription 'modules/blob-events-subscription.bicep' = if (deployBlobEventSubscription) {
  name: 'eventgrid-subscription'
  scope: rg
  params: {
    systemTopicName: systemTopicName
    functionAppName: functionApp.outputs.name
    functionName: 'documentsBlobEvents'
  }
  dependsOn: [
    blobEventsTopic
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs: named like the app settings they feed (see infra/README.md for the mapping)
// ---------------------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.uri
output AZURE_CLIENT_ID string = identity.outputs.clientId

output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_BLOB_ENDPOINT string = storageBlobEndpoint
output STORAGE_QUEUE_ENDPOINT string = storageQueueEndpoint

output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName

output SERVICEBUS_NAMESPACE string = jobQueue.outputs.namespaceFqdn
output JOB_QUEUE_NAME string = jobQueue.outputs.name
output DURABLE_TASK_HUB string = durableTaskHub

output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output EVENTGRID_SYSTEM_TOPIC_NAME string = systemTopicName
output BLOB_EVENT_SUBSCRIPTION_DEPLOYED bool = deployBlobEventSubscription
