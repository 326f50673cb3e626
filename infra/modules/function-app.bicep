// The Function App on Flex Consumption (Node 20), running as one user-assigned identity, with every app setting
// lib/config.ts and the Functions host read. Plain resource, as in Azure-Samples/functions-quickstart-typescript-azd
// (infra/core/host/functions-flexconsumption.bicep), so functionAppConfig is written against the resource schema.

@description('Name of the Function App.')
param name string

@description('Region of the app.')
param location string = resourceGroup().location

@description('Tags; the caller adds azd-service-name.')
param tags object = {}

@description('Resource id of the Flex Consumption plan (FC1).')
param appServicePlanId string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (AZURE_CLIENT_ID, *__clientId).')
param identityClientId string

@description('Storage account for AzureWebJobsStorage, the deployment package and the project containers.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (sent to with the identity; local auth is off).')
param applicationInsightsConnectionString string

@description('Flex Consumption instance size.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Settings the app reads (lib/config.ts names), merged over the host settings below.')
param appSettings object

@secure()
@description('API_KEYS: comma-separated keys accepted in Ocp-Apim-Subscription-Key. Separate and secure so it stays out of deployment logs.')
param apiKeys string

var blobEndpoint = 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
var queueEndpoint = 'https://${storageAccountName}.queue.${environment().suffixes.storage}'
var tableEndpoint = 'https://${storageAccountName}.table.${environment().suffixes.storage}'

// Host settings: identity-based AzureWebJobsStorage (blob, queue and table for the Durable task hub) and
// Application Insights over Entra ID. FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION are not set: Flex
// Consumption takes the runtime from functionAppConfig and rejects them.
var hostSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}/${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(hostSettings, appSettings, {
      API_KEYS: apiKeys
    })
  }
}

@description('Name of the app.')
output name string = functionApp.name

@description('Resource id of the app (the Event Grid destination is <id>/functions/<function>).')
output resourceId string = functionApp.id

@description('Base URL of the app.')
output uri string = 'https://${functionApp.properties.defaultHostName}'
