/** The StreamSource for a definition's source kind. */
import type { SourceContext, SourceDefinition, StreamSource } from '../model/index.ts';
import { openDirectorySource } from '../source/directory-source.ts';
import { openHttpSource } from '../source/http-source.ts';
import { openKafkaSource } from '../source/kafka-source.ts';

export type SourceOpener = (definition: SourceDefinition, context: SourceContext) => Promise<StreamSource>;

export const openSource: SourceOpener = (definition, context) => {
  switch (definition.kind) {
    case 'kafka':
      return openKafkaSource(definition, context);
    case 'directory':
      return openDirectorySource(definition, context);
    case 'http':
      return openHttpSource(definition, context);
  }
};
