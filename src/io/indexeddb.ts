// Saved models in the browser's IndexedDB: one record per name in the 'models' store
// of the 'webgrad' database, holding model.json's text and the safetensors bytes.

const DATABASE = 'webgrad';
const STORE = 'models';

export interface StoredModel {
  readonly json: string;
  readonly weights: Uint8Array;
  readonly weightsFile: string;
  readonly savedAt: string;
}

function factory(caller: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new Error(`${caller}: IndexedDB is not available in this runtime; in Node or Deno save to a folder path`);
  return idb;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function open(caller: string): Promise<IDBDatabase> {
  const req = factory(caller).open(DATABASE, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

async function withStore<T>(caller: string, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open(caller);
  try {
    const tx = db.transaction(STORE, mode);
    const result = request(run(tx.objectStore(STORE)));
    // Resolve only once the transaction has committed, so a save is durable when it returns.
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return await result;
  } finally {
    db.close();
  }
}

export async function putModel(caller: string, name: string, model: StoredModel): Promise<void> {
  await withStore(caller, 'readwrite', (store) => store.put(model, name));
}

export async function getModel(caller: string, name: string): Promise<StoredModel> {
  const found = (await withStore(caller, 'readonly', (store) => store.get(name))) as StoredModel | undefined;
  if (!found) throw new Error(`${caller}: no model named '${name}' in IndexedDB`);
  return found;
}
