import t from 'tap';
import {
  AccountEventSchemas,
  DomainEventSchemas,
  eventCatalog,
  OrganizationEventSchemas,
} from '../src/index.js';

t.test('the catalog lists every event schema once, with its stream category', async (t) => {
  const ids = eventCatalog.map((e) => e.schema.$id);
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  t.same(
    ids,
    DomainEventSchemas.map((s) => s.$id),
    'the same schemas as DomainEventSchemas',
  );
  for (const schema of AccountEventSchemas) {
    t.ok(
      eventCatalog.some((e) => e.schema === schema && e.category === 'account'),
      `${schema.$id}`,
    );
  }
  for (const schema of OrganizationEventSchemas) {
    t.ok(
      eventCatalog.some((e) => e.schema === schema && e.category === 'organization'),
      `${schema.$id}`,
    );
  }
});

t.test('every event schema is versioned and documented', async (t) => {
  for (const schema of DomainEventSchemas) {
    t.match(schema.$id, /^[A-Z][A-Za-z]+\.v[0-9]+$/);
    t.type(schema.description, 'string');
  }
});
