import { describe, expect, it } from 'vitest';
import { parseAdapterSpec, parseRoleFlags, resolveRoles } from '../../src/agents/role-assignment.js';
import { defaultConfig } from '../../src/repo/config.js';

describe('ROLE=ADAPTER[:ARGUMENT]', () => {
  it('parses adapters with and without an argument; the argument keeps its colons and spaces', () => {
    expect(parseAdapterSpec('none')).toEqual({ adapter: 'none', raw: 'none' });
    expect(parseAdapterSpec("command:sh -c 'make fix: all'")).toEqual({
      adapter: 'command',
      argument: "sh -c 'make fix: all'",
      raw: "command:sh -c 'make fix: all'",
    });
    expect(() => parseAdapterSpec('Bad Adapter')).toThrow(/is not ADAPTER\[:ARGUMENT\]/);
  });

  it('--role wins over the task, the task over the config', () => {
    const config = defaultConfig();
    config.agents = {
      ...config.agents,
      manager: 'builtin',
      builder: 'builtin',
      tester: 'none',
      reviewer: 'command:lint',
    };
    const task = {
      id: 't',
      title: 'T',
      agents: { manager: 'none', builder: 'command:node fix.js {task_id}' },
    };
    const roles = resolveRoles(config, task, parseRoleFlags(['builder=command:make fix']));
    expect(Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v.raw]))).toEqual({
      manager: 'none',
      builder: 'command:make fix',
      tester: 'none',
      reviewer: 'command:lint',
    });
    expect(() => parseRoleFlags(['painter=none'])).toThrow(/ROLE one of manager, builder, tester, reviewer/);
    expect(() => parseRoleFlags(['builder'])).toThrow(/must be ROLE=ADAPTER/);
  });
});
