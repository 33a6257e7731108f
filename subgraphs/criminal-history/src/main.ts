import { readSubgraphConfig } from '../../../platform/src';
import { runSubgraphProcess } from '../../../platform/src/subgraph/serve-subgraph';
import { criminalHistory } from '.';

void runSubgraphProcess(criminalHistory, () => readSubgraphConfig('criminal-history'));
