import { readSubgraphConfig } from '../../../platform/src';
import { runSubgraphProcess } from '../../../platform/src/subgraph/serve-subgraph';
import { orders } from '.';

void runSubgraphProcess(orders, () => readSubgraphConfig('orders'));
