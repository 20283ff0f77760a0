/**
 * `shipmate get approvals` (the approval tasks waiting for a person) and `shipmate approve` /
 * `shipmate decline`, by the approval's id (`--id`, the `approval.triggered` event, as in `keptn send
 * event approval.finished --id`) or by the sequence's keptn context.
 */
import type { Command } from 'commander';
import type { Approval, ApprovalDecision } from '@shipmate/api';
import type { ApiClient } from '@shipmate/api-client';
import { ConfigError } from '../config/config-error.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { VerbFailure } from './verb-failure.js';
import { displayTime, renderTable } from './verb-output.js';

/** Flags of `approve` and `decline`. */
export interface DecisionFlags extends VerbFlags {
  project: string;
  id?: string;
  keptnContext?: string;
  stage?: string;
  message?: string;
}

/** Flags of `get approvals`. */
export interface ApprovalListFlags extends VerbFlags {
  project: string;
  stage?: string;
  service?: string;
  keptnContext?: string;
}

/** The open approvals of a project that match the filters. */
async function openApprovals(client: ApiClient, flags: ApprovalListFlags): Promise<Approval[]> {
  const { approvals = [] } = await client.approvals(flags.project);
  return approvals.filter(
    (approval) =>
      (flags.stage === undefined || approval.stage === flags.stage) &&
      (flags.service === undefined || approval.service === flags.service) &&
      (flags.keptnContext === undefined || approval.keptnContext === flags.keptnContext),
  );
}

/** The approval the flags name: `--id`, or the one open approval of `--keptn-context` (in `--stage`). */
async function chosenApproval(client: ApiClient, flags: DecisionFlags): Promise<string> {
  if (flags.id !== undefined && flags.keptnContext !== undefined) throw new ConfigError('give --id or --keptn-context, not both');
  if (flags.id !== undefined) return flags.id;
  if (flags.keptnContext === undefined)
    throw new ConfigError(
      `give the approval's --id, or the sequence's --keptn-context; see them with \`shipmate get approvals --project ${flags.project}\``,
    );
  const open = await openApprovals(client, flags);
  const [only] = open;
  if (only?.triggeredId === undefined) {
    throw new VerbFailure(
      `no open approval in keptn context ${flags.keptnContext}${flags.stage ? ` (stage ${flags.stage})` : ''} of project '${flags.project}'; see the open ones with \`shipmate get approvals --project ${flags.project}\``,
    );
  }
  if (open.length > 1)
    throw new ConfigError(
      `keptn context ${flags.keptnContext} waits for approvals in stages ${open.map((a) => a.stage ?? '').join(', ')}: give --stage`,
    );
  return only.triggeredId;
}

/** Registers `approve`, `decline` and `get approvals` on `program`. */
export function registerApprovalVerbs(program: Command): void {
  const decisions: Array<[ApprovalDecision, string]> = [
    ['approve', 'approved'],
    ['decline', 'declined'],
  ];
  for (const [decision, done] of decisions) {
    withConnection(program.command(decision))
      .description(
        decision === 'approve'
          ? 'approve an approval task waiting for a person: the sequence goes on'
          : 'decline an approval task: the task fails, the sequence ends with fail and skips its remaining tasks',
      )
      .requiredOption('-p, --project <project>', 'the project')
      .option('--id <triggeredId>', 'the approval (the id of its approval.triggered; `shipmate get approvals` lists them)')
      .option('-c, --keptn-context <context>', 'the sequence waiting for the approval (instead of --id)')
      .option('-s, --stage <stage>', 'with --keptn-context: the stage, when it waits in several')
      .option('-m, --message <text>', 'why, kept in the approval.finished event')
      .action((flags: DecisionFlags) =>
        runVerb(decision, flags, async ({ client, out }) => {
          const triggeredId = await chosenApproval(client, flags);
          const answer = await client.decideApproval(flags.project, triggeredId, {
            decision,
            ...(flags.message !== undefined ? { message: flags.message } : {}),
          });
          out.note(
            `${done} ${triggeredId} in project '${flags.project}'${answer.keptnContext ? ` (keptn context ${answer.keptnContext})` : ''}`,
          );
        }),
      );
  }

  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');
  withOutput(withConnection(get.command('approval').alias('approvals')))
    .description('list the approval tasks of a project waiting for a person, newest first')
    .requiredOption('-p, --project <project>', 'the project')
    .option('-s, --stage <stage>', 'only in this stage')
    .option('--service <service>', 'only of this service')
    .option('-c, --keptn-context <context>', 'only of this sequence')
    .action((flags: ApprovalListFlags) =>
      runVerb('get approval', flags, async ({ client, out }) => {
        const approvals = await openApprovals(client, flags);
        out.data(approvals, () =>
          renderTable(
            approvals,
            [
              { header: 'ID', value: (approval) => approval.triggeredId ?? '' },
              { header: 'STAGE', value: (approval) => approval.stage ?? '' },
              { header: 'SERVICE', value: (approval) => approval.service ?? '' },
              { header: 'RESULT BEFORE', value: (approval) => approval.result || '-', tone: (cell, style) => style.outcome(cell) },
              { header: 'SINCE', value: (approval) => displayTime(approval.time) },
              { header: 'KEPTN CONTEXT', value: (approval) => approval.keptnContext ?? '' },
            ],
            out.style,
          ),
        );
      }),
    );
}
