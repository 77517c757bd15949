// Package tenancy installs what config/default ships for keeping IT
// providers apart (docs/tenancy.md) into a test cluster: the roles for
// people, the admission policies and their bindings, and the providers
// ConfigMap with the data a test gives it.
package tenancy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/ozg-operator/ozg-operator/internal/testsupport"
)

// Namespace is where config/default puts the operator, and the providers
// ConfigMap with it.
const Namespace = "ozg-system"

// Install builds config/default with kustomize and creates its tenancy
// objects (not the manager's ClusterRole and Deployment); providers is the
// data of the ConfigMap ozg-operator-providers (<provider>.domains,
// <provider>.accounts).
func Install(ctx context.Context, c client.Client, providers map[string]string) error {
	root, err := testsupport.ModuleRoot()
	if err != nil {
		return err
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join(root, "config", "default"))
	if err != nil {
		return err
	}
	if err := client.IgnoreAlreadyExists(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}})); err != nil {
		return err
	}
	for _, r := range res.Resources() {
		switch kind := r.GetKind(); {
		case kind == "ClusterRole" && r.GetName() != "ozg-operator-manager",
			kind == "ValidatingAdmissionPolicy", kind == "ValidatingAdmissionPolicyBinding",
			kind == "ConfigMap" && r.GetName() == "ozg-operator-providers":
		default:
			continue
		}
		m, err := r.Map()
		if err != nil {
			return err
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "ConfigMap" {
			if err := unstructured.SetNestedStringMap(u.Object, providers, "data"); err != nil {
				return err
			}
		}
		if err := c.Create(ctx, u); err != nil {
			return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	return nil
}

// Group and ServiceAccount are the subjects the tests bind roles to.
func Group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func ServiceAccount(namespace, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}
}

// Bind binds the ClusterRole role to subject in namespace, or cluster-wide
// where namespace is "".
func Bind(ctx context.Context, c client.Client, namespace, role string, subject rbacv1.Subject) error {
	name := strings.NewReplacer(":", "-").Replace(subject.Namespace+"-"+subject.Name) + "-" + role
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
	var obj client.Object = &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref, Subjects: []rbacv1.Subject{subject}}
	if namespace != "" {
		obj = &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, RoleRef: ref, Subjects: []rbacv1.Subject{subject}}
	}
	return c.Create(ctx, obj)
}

// SetUpProvider does for the IT provider what docs/tenancy.md tells a
// cluster admin to do: its namespace of the same name, labelled as its,
// where subject may edit, and cluster-wide reading and its Administrations.
func SetUpProvider(ctx context.Context, c client.Client, provider string, subject rbacv1.Subject) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: provider}}
	if _, err := controllerutil.CreateOrUpdate(ctx, c, ns, func() error {
		metav1.SetMetaDataLabel(&ns.ObjectMeta, "ozg.dev/it-provider", provider)
		return nil
	}); err != nil {
		return err
	}
	for _, b := range []struct{ namespace, role string }{
		{provider, "ozg-operator-edit"}, {"", "ozg-operator-view"}, {"", "ozg-operator-administration-editor"},
	} {
		if err := Bind(ctx, c, b.namespace, b.role, subject); err != nil {
			return err
		}
	}
	return nil
}
