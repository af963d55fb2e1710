// Example parameters. Secrets come from the deployer's environment, never from this file:
//   export TCMA_TOKEN_SIGNING_KEY=$(openssl rand -base64 48) TCMA_SOCIAL_TOKEN_KEY=$(openssl rand -base64 32) TCMA_SMTP_PASSWORD=...
//   az deployment group create -g rg-tcma-prod -f infra/main.bicep -p infra/main.bicepparam
using 'main.bicep'

param appName = 'tcma'
param environmentName = 'prod'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100

param tokenSigningKey = readEnvironmentVariable('TCMA_TOKEN_SIGNING_KEY')
param socialTokenKey = readEnvironmentVariable('TCMA_SOCIAL_TOKEN_KEY')
param smtpHost = 'smtp.example.com'
param smtpPort = 587
param smtpUserName = 'tcma-mailer'
param smtpPassword = readEnvironmentVariable('TCMA_SMTP_PASSWORD')
param emailFrom = 'campaigns@example.com'

// The Entra ID app registration that App Service Authentication validates tokens for.
param entraClientId = '00000000-0000-0000-0000-000000000000'
