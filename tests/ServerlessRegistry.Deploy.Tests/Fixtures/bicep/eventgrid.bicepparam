// infra/main.bicep with the registry's events published to an Event Grid topic.
// EventsInfraTests expects the topic, its sender role and the endpoint setting these give.
using '../../../../infra/main.bicep'

param environmentName = 'test'
param location = 'westeurope'
param eventGrid = true
