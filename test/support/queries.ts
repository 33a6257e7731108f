/** The tests use the explorer's own example operations, so both stay true. */
export { EMPLOYMENT_SCREENING, OFFICER_PROFILE } from '../../gateway/src/explorer/example-operations';
