/**
 * The design system's Badge, with its warning and danger colours made readable: at a badge's 11 px
 * their text (warning700 on warning200, 3.6:1; danger700 on danger200, 3.9:1) is below WCAG's
 * 4.5:1, and the theme has no darker warning text, so warning badges take neutral800 text and danger
 * badges the lighter danger100 background.
 */
import { Badge as DesignSystemBadge, BadgeProps } from '@strapi/design-system';

export function Badge({ variant, ...props }: BadgeProps) {
  if (variant === 'warning') return <DesignSystemBadge textColor="neutral800" backgroundColor="warning200" {...props} />;
  if (variant === 'danger') return <DesignSystemBadge textColor="danger700" backgroundColor="danger100" {...props} />;
  return <DesignSystemBadge variant={variant} {...props} />;
}
