/**
 * The secrets: name, scope and keys, never values (the server never returns them). Create and
 * delete stay with the API and the CLI (`POST /api/secrets/v1/secret`), so no value is ever typed
 * into or shown by the browser. Live: secret writes arrive as changes of the `secrets` topic.
 */
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';

/** The secrets view. */
export function SecretsView() {
  const data = useLiveData('secrets', { topic: 'secrets' }, async (api, signal) => {
    const secrets = await api.listSecrets(signal);
    return secrets.sort((a, b) => a.scope.localeCompare(b.scope) || a.name.localeCompare(b.name));
  });
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Secrets
      </h1>
      <p className="muted">
        Names, scopes and keys only: values are encrypted at rest and never leave the server except to a task that holds them.
      </p>
      <DataView
        data={data}
        what="the secrets"
        render={(secrets) =>
          secrets.length === 0 ? (
            <Empty>
              <p>No secrets yet.</p>
              <p className="muted">
                Create one with <code>POST /api/secrets/v1/secret</code> and <code>{'{"name", "scope", "data"}'}</code>; webhooks and agents
                read it while they run a task.
              </p>
            </Empty>
          ) : (
            <table className="data-table">
              <caption className="visually-hidden">Secrets by scope and name</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Keys</th>
                </tr>
              </thead>
              <tbody>
                {secrets.map((secret) => (
                  <tr key={`${secret.scope}/${secret.name}`}>
                    <td data-label="Name">
                      <code>{secret.name}</code>
                    </td>
                    <td data-label="Scope">{secret.scope}</td>
                    <td data-label="Keys">
                      {secret.keys.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul className="key-list">
                          {secret.keys.map((key) => (
                            <li key={key}>
                              <code>{key}</code>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      />
    </>
  );
}
