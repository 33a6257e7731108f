import { readSubgraphConfig } from '../../../platform/src';
import { runSubgraphProcess } from '../../../platform/src/subgraph/serve-subgraph';
import { alerts } from '.';

void runSubgraphProcess(alerts, () => readSubgraphConfig('alerts'));
