// Cosmos DB for NoSQL, serverless and Entra-only, with the one database and container the app uses.
// Plain resources rather than avm/res/document-db/database-account: that module's parameter names and defaults
// changed across recent versions (disableLocalAuth → disableLocalAuthentication, publicNetworkAccess 'Disabled' and
// zone redundancy by default), so the few properties that matter are spelled out here against one API version.

@description('Name of the Cosmos DB account (3-44 lowercase letters, digits and hyphens).')
param name string

@description('Region of the account.')
param location string = resourceGroup().location

@description('Tags for every resource in this module.')
param tags object = {}

@description('Database the app reads from COSMOS_DATABASE.')
param databaseName string

@description('Container holding every collection; the app partitions by project on `/pk`.')
param containerName string = 'items'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    // Keys off: data-plane access only through Entra ID and the SQL role assignment in role-assignments.bicep.
    disableLocalAuth: true
    // Databases and containers only through ARM (this template), never through account keys.
    disableKeyBasedMetadataWriteAccess: true
    publicNetworkAccess: 'Enabled'
  }
}

// A data-plane identity cannot create databases or containers, so infra owns them (lib/app/deps.ts expects both).
resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [
          '/pk'
        ]
        kind: 'Hash'
        // The JS SDK creates version 2 keys locally (ensureCosmosContainer); keep Azure the same.
        version: 2
      }
    }
  }
}

@description('Name of the account.')
output name string = account.name

@description('Resource id of the account.')
output resourceId string = account.id

@description('Document endpoint, https://<name>.documents.azure.com:443/.')
output endpoint string = account.properties.documentEndpoint

@description('Name of the database.')
output databaseName string = database.name
