// infra/main.bicep as `azd up` runs it with no optional azd environment values: every parameter at its default.
using '../../../../infra/main.bicep'

param environmentName = 'test'
param location = 'westeurope'
