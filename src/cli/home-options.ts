/**
 * How the CLI opens a home from the effective config: the catalog database (`catalog.url`) and the
 * lake (`lake.uri` and, for an s3:// lake, `lake.s3_*`). Every command that opens the home goes
 * through this, so `strata demo`, `strata sql` and `strata serve` all see the same lake.
 */
import type { StrataHomeOptions } from '../catalog/index.ts';
import type { ConfigValues } from '../config/index.ts';

export function homeOptionsOf(values: ConfigValues): StrataHomeOptions {
  return {
    catalogUrl: values['catalog.url'],
    lake: {
      uri: values['lake.uri'],
      s3: { endpoint: values['lake.s3_endpoint'], region: values['lake.s3_region'], forcePathStyle: values['lake.s3_path_style'] },
    },
  };
}
