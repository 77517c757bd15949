package portaldata_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// The operator renders the document into the portal's ConfigMap and puts a
// checksum of it on the pod template, so that only a real content change
// shows up as a change.
func ExampleMarshal() {
	maturity := int32(3)
	doc := &portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Administration: portaldata.Administration{
			Name: "stadt-musterstadt", Key: "05999000", DisplayName: "Stadt Musterstadt", Type: "KreisfreieStadt",
		},
		Services: []portaldata.Service{{
			OZGID: "10110", Name: "Wohngeld", Themenfeld: "Bauen & Wohnen",
			State: portaldata.StateLive, Maturity: &maturity, URL: "https://musterstadt.example/wohngeld",
		}},
	}
	data, err := portaldata.Marshal(doc)
	if err != nil {
		panic(err)
	}
	configMapData := map[string]string{portaldata.ConfigMapKey: string(data)}
	fmt.Println(configMapData[portaldata.ConfigMapKey])
	fmt.Printf("checksum: %x\n", sha256.Sum256(data))
	// Output:
	// {"schemaVersion":2,"administration":{"name":"stadt-musterstadt","key":"05999000","displayName":"Stadt Musterstadt","type":"KreisfreieStadt"},"services":[{"ozgId":"10110","name":"Wohngeld","themenfeld":"Bauen \u0026 Wohnen","state":"Live","maturity":3,"url":"https://musterstadt.example/wohngeld"}]}
	// checksum: c4cf237565d5d2b193f3afffcc8aae95e727d8b84b8e27d2f0bac9ea126bdd45
}
