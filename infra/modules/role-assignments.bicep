// Data-plane roles for one principal (the Function App's identity, or a developer) on every service the app uses.
// Roles are chosen by name from the map below; each assignment is scoped to the one resource it is for.

@description('Object (principal) id that receives the roles.')
param principalId string

@description('Kind of principal: ServicePrincipal for a managed identity, User for a developer.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

@description('Storage account holding the project containers, the job/host queues and the deployment package.')
param storageAccountName string

@description('Service Bus namespace holding the job queue.')
param serviceBusNamespaceName string

@description('Cosmos DB account holding the documents.')
param cosmosAccountName string

@description('Application Insights component the app sends telemetry to with its identity.')
param applicationInsightsName string

// Built-in Azure role definitions (ARM RBAC), by name.
var roles = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  'Storage Blob Delegator': 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  'Azure Service Bus Data Owner': '090c5cfd-751d-490a-894a-3ce6f1109419'
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Cosmos DB built-in data-plane role definitions (Cosmos SQL RBAC, not ARM RBAC), by name.
var cosmosDataRoles = {
  'Cosmos DB Built-in Data Reader': '00000000-0000-0000-0000-000000000001'
  'Cosmos DB Built-in Data Contributor': '00000000-0000-0000-0000-000000000002'
}

// Blob Data Owner: project containers created at run time, the deployment package, AzureWebJobsStorage blobs.
// Blob Delegator: user-delegation keys for the SAS export links (Owner also carries the action; kept explicit).
// Queue and Table Data Contributor: AzureWebJobsStorage queues/tables (Durable task hub) and the STORAGE queue
// fallback when Service Bus is not configured.
var storageRoleNames = [
  'Storage Blob Data Owner'
  'Storage Blob Delegator'
  'Storage Queue Data Contributor'
  'Storage Table Data Contributor'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleName in storageRoleNames: {
    name: guid(storage.id, principalId, roles[roleName])
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles[roleName])
      principalId: principalId
      principalType: principalType
    }
  }
]

// Data Owner covers both sending (API → job queue) and receiving (the queue trigger) on the `jobs` queue.
resource serviceBusRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, principalId, roles['Azure Service Bus Data Owner'])
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles['Azure Service Bus Data Owner'])
    principalId: principalId
    principalType: principalType
  }
}

// Required once the component has local (instrumentation-key) auth disabled.
resource monitoringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, roles['Monitoring Metrics Publisher'])
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles['Monitoring Metrics Publisher'])
    principalId: principalId
    principalType: principalType
  }
}

resource cosmosDataRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, principalId, cosmosDataRoles['Cosmos DB Built-in Data Contributor'])
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataRoles['Cosmos DB Built-in Data Contributor']}'
    principalId: principalId
    scope: cosmos.id
  }
}
