import { join } from 'node:path';
import { openDatabase, type Database } from '../../../electron/db/connection';
import { tempDir } from '../../helpers';

/** A freshly migrated database in its own temp folder. */
export function freshDb(): { db: Database; file: string; close(): void } {
  const dir = tempDir();
  const file = join(dir.path, 'kliv.sqlite');
  const db = openDatabase(file);
  return {
    db, file,
    close() {
      if (db.open) db.close();
      dir.cleanup();
    },
  };
}
