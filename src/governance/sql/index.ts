// Governance SQL: GRANT, REVOKE and SHOW GRANTS parsed into the policy model.
export { ALL_PRIVILEGES, parseGovernanceStatement, type GovernanceStatement } from './governance-statement.ts';
