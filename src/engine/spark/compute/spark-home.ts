/**
 * Where Spark comes from: the pip `pyspark` 4.0.x wheel, which ships Spark's jars (spark-connect
 * included) and the `bin/` scripts, so `pip install pyspark==4.0.5` plus a Java 17 runtime is a
 * complete local Spark. Strata finds it through Python rather than `$SPARK_HOME`, so a stray
 * older Spark on the machine is never picked up by accident.
 *
 * Gotcha: the Python used is `$STRATA_PYTHON`, else `$STRATA_TEST_PYTHON`, else `python3`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function python(): string {
  return process.env['STRATA_PYTHON'] || process.env['STRATA_TEST_PYTHON'] || 'python3';
}

/** The pyspark install's directory (SPARK_HOME), or what is missing to use it. */
export function findSparkHome(): { sparkHome: string } | { missing: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return { missing: 'java (Java 17) on PATH' };
  const py = spawnSync(python(), ['-c', 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'], { encoding: 'utf8' });
  if (py.error || py.status !== 0) {
    return { missing: `the pyspark package for ${python()} (pip install pyspark==4.0.5, see requirements-test.txt)` };
  }
  const sparkHome = py.stdout.trim();
  if (!existsSync(join(sparkHome, 'bin', 'spark-submit'))) return { missing: `${sparkHome}/bin/spark-submit (a complete pyspark install)` };
  return { sparkHome };
}
