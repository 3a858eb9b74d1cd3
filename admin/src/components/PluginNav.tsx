/** The plugin's pages as a row of links (react-router NavLinks: aria-current marks the open one). */
import { Flex } from '@strapi/design-system';
import { useRBAC } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import { styled } from 'styled-components';
import { PERMISSIONS } from '../permissions';

const Tab = styled(NavLink)`
  padding: ${({ theme }) => `${theme.spaces[2]} ${theme.spaces[4]}`};
  border-radius: ${({ theme }) => theme.borderRadius};
  color: ${({ theme }) => theme.colors.neutral700};
  font-size: ${({ theme }) => theme.fontSizes[2]};
  font-weight: 600;
  text-decoration: none;
  &[aria-current='page'] {
    background: ${({ theme }) => theme.colors.primary100};
    color: ${({ theme }) => theme.colors.primary700};
  }
  &:focus-visible {
    outline: 2px solid ${({ theme }) => theme.colors.primary600};
    outline-offset: 2px;
  }
`;

export function PluginNav() {
  const { allowedActions } = useRBAC({ finetune: PERMISSIONS.finetune });
  const tabs = [
    { to: '', label: 'Captions' },
    { to: 'backfill', label: 'Backfill' },
    { to: 'audit', label: 'Accessibility audit' },
    { to: 'failed-jobs', label: 'Failed jobs' },
    ...(allowedActions.canFinetune ? [{ to: 'fine-tuning', label: 'Fine-tuning' }] : []),
  ];
  return (
    <Flex tag="nav" aria-label="Alt text pages" gap={1} wrap="wrap" paddingTop={6} paddingLeft={10} paddingRight={10}>
      {tabs.map((t) => (
        <Tab key={t.to} to={`/plugins/altbridge${t.to ? `/${t.to}` : ''}`} end>
          {t.label}
        </Tab>
      ))}
    </Flex>
  );
}
