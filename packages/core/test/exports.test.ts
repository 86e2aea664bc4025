// Pins the public API of @psp-translate/core (what `import ... from '@psp-translate/core'` offers at
// run time) and of its test-support entry point: an export added or removed is a decision, made here.
import { describe, expect, it } from 'vitest';

describe('@psp-translate/core exports', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('@psp-translate/core')).sort()).toEqual([
      'APPARMOR_CONTAINER_ANNOTATION_PREFIX', 'AllContainerKindsSchema', 'AppArmorControlSchema',
      'CEL_PER_CALL_LIMIT', 'CEL_RUNTIME_BUDGET', 'CHECK_CONTAINER_VAR', 'CHECK_OBJECT_VAR', 'CONTAINER_KINDS',
      'CONTROLLER_IDENTITIES', 'CONTROL_KINDS', 'CapabilitiesControlSchema', 'ClusterRoleBindingSchema',
      'ClusterRoleSchema', 'ControlsSchema', 'CsiDriversControlSchema', 'DEFAULTING_ORDER', 'DEFAULTS_VAR', 'DEFAULT_MAX_INPUT_BYTES', 'FS_TYPES',
      'FlexVolumeDriversControlSchema', 'FsGroupControlSchema', 'GROUP_RULES', 'HostNamespacesControlSchema',
      'HostPathsControlSchema', 'HostPortRangeSchema', 'HostPortsControlSchema', 'IDRangeSchema', 'InputError',
      'LabelSelectorSchema', 'MAX_ALIAS_EXPANSIONS', 'NO_CANDIDATES_MESSAGE', 'ObjectMetaSchema',
      'POD_TEMPLATE_PATHS', 'PROC_MOUNT_TYPES', 'PSP_ANNOTATIONS', 'PSP_SAFE_SYSCTLS', 'PSP_SPEC_FIELDS',
      'PodSecurityPolicySchema', 'PodSecurityPolicySpecSchema', 'PolicyIRSchema', 'PolicyRuleSchema',
      'PrivilegeEscalationControlSchema', 'PrivilegedControlSchema', 'ProcMountControlSchema',
      'RUN_AS_USER_RULES', 'RangeSchema', 'RbacObjectMetaSchema', 'ReadOnlyRootFilesystemControlSchema',
      'RoleBindingSchema', 'RoleRefSchema', 'RoleSchema', 'RunAsGroupControlSchema', 'RunAsUserControlSchema',
      'RuntimeClassControlSchema', 'SAFE_SYSCTLS_1_24', 'SAFE_SYSCTLS_ADDED_AFTER_1_24',
      'SECCOMP_CONTAINER_ANNOTATION_PREFIX', 'SECCOMP_POD_ANNOTATION', 'SELINUX_RULES', 'SELinuxControlSchema',
      'SELinuxOptionsIRSchema', 'SELinuxOptionsSchema', 'STDIN_PATH', 'SeccompControlSchema', 'SourceRefSchema',
      'SubjectSchema', 'SupplementalGroupsControlSchema', 'SysctlsControlSchema', 'VALIDATED_PSP_ANNOTATION',
      'VOLUME_SOURCE_KEYS', 'VOLUME_SOURCE_TYPES', 'VolumesControlSchema', 'WORKLOAD_KINDS', 'admit', 'afterDefaults',
      'annotationSource', 'appArmorAnnotationForField', 'applyJsonPatch', 'buildRbacIndex', 'candidatesFor',
      'celControls', 'celFidelity', 'celLiteral', 'celString', 'chosenPolicyExpression', 'classifySysctl', 'compileCel',
      'controlCondition', 'controlConditionAfterDefaults', 'controlDefinitions', 'controlParamsFor', 'controllerRequester', 'estimateCelCost',
      'evaluateCel', 'evaluatePolicy', 'fieldPathOfPointer', 'fold', 'foldCheck', 'formatInputIssue',
      'fromCelValue', 'hasPathPrefix', 'hostPathAllowed', 'isAdmissionPolicyObject', 'jsonPointer',
      'labelsMatch', 'loadInputs', 'paramsFor', 'parseInputs', 'parseServiceAccountUser', 'podFromWorkload',
      'policiesGrantedByRule', 'policyAccess', 'policyAdmitsAfterDefaultsExpression', 'policyAdmitsExpression', 'policyControlExpressions', 'policyControlExpressionsAfterDefaults', 'policyDefaults',
      'policyMessageExpression', 'policyParams', 'policySetExpression', 'policyToIR', 'policyWouldChangeExpression', 'printCel', 'profileFieldForAnnotation', 'readInputs',
      'requirePolicies', 'ruleCondition', 'scopeGroupFor', 'scopeGroups', 'seccompAnnotationForField',
      'selectorMatches', 'selinuxLevelsEqual', 'serviceAccountRequester', 'serviceAccountUser', 'sysctlMatches',
      'toCelValue', 'unusablePolicyReasons', 'usablePolicies', 'volumeFsType', 'wouldChangeCondition',
    ]);
  });

  it('keeps test support out of the main entry point: @psp-translate/core/testing', async () => {
    expect(Object.keys(await import('@psp-translate/core/testing')).sort()).toEqual(['policyFixture']);
  });
});
